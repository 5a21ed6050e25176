// The console's dev server (`nx serve admin`, make dev's watch mode) forwards the api's paths to
// the api, so the console, its sign-in cookies and the live events (SSE) share one origin.
const target = `http://127.0.0.1:${process.env.API_PORT ?? 3000}`;

export default {
  '/api': { target, secure: false },
  '/health': { target, secure: false },
};
