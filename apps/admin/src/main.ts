import { bootstrapApplication } from '@angular/platform-browser';
import { applyStoredTheme } from '@autocoder/admin-ui';
import { appConfig } from './app/app.config';
import { App } from './app/app';

// The chosen theme first, before anything renders (the CSP allows no inline script in index.html).
applyStoredTheme(document);
bootstrapApplication(App, appConfig).catch((err) => console.error(err));
