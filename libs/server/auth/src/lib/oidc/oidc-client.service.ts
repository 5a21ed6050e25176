import { Inject, Injectable, Logger } from '@nestjs/common';
import { createRemoteJWKSet, errors as joseErrors, JWTPayload, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { AUTH_SETTINGS } from '../auth.tokens';
import { AuthSettings } from '../auth-settings';

type OidcSettings = Extract<AuthSettings, { mode: 'oidc' }>;

/** What the api keeps between sending someone to the IdP and their coming back. */
export interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
}

/** The outcome of a sign-in or a refresh. */
export interface OidcTokens {
  claims: Record<string, unknown>;
  idToken: string | undefined;
  refreshToken: string | undefined;
  /** When the access token expires (ms since epoch): the session re-checks with the IdP then. */
  expiresAt: number;
}

/** Why a bearer token was refused, for the 401's message. */
export class InvalidAccessToken extends Error {}

/**
 * The identity provider through openid-client (authorization code with PKCE, refresh, RP-initiated
 * logout) and jose (bearer access tokens checked against the IdP's JWKS: signature, issuer,
 * audience, expiry). Discovery is lazy and retried, so the api starts even while the IdP does not
 * answer yet.
 */
@Injectable()
export class OidcClient {
  private readonly logger = new Logger(OidcClient.name);
  private discovered?: Promise<oidc.Configuration>;
  private jwks?: ReturnType<typeof createRemoteJWKSet>;

  constructor(@Inject(AUTH_SETTINGS) private readonly settings: AuthSettings) {}

  private get oidcSettings(): OidcSettings {
    if (this.settings.mode !== 'oidc') throw new Error('OIDC is not configured (AUTH_MODE=none)');
    return this.settings;
  }

  private configuration(): Promise<oidc.Configuration> {
    const s = this.oidcSettings;
    this.discovered ??= oidc
      .discovery(
        s.issuer,
        s.clientId,
        undefined,
        s.clientSecret ? oidc.ClientSecretBasic(s.clientSecret) : oidc.None(),
        // http is accepted for a loopback dev IdP only (authSettings refuses it elsewhere).
        s.issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : undefined,
      )
      .catch((err: unknown) => {
        this.discovered = undefined;
        this.logger.warn(
          { issuer: s.issuer.toString(), err: String(err) },
          'OIDC discovery failed',
        );
        throw err;
      });
    return this.discovered;
  }

  async beginLogin(returnTo: string): Promise<{ url: URL; pending: PendingLogin }> {
    const s = this.oidcSettings;
    const config = await this.configuration();
    const pending: PendingLogin = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier: oidc.randomPKCECodeVerifier(),
      returnTo,
    };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: s.redirectUri,
      scope: s.scopes,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url, pending };
  }

  /** Exchanges the callback's code; throws when state, nonce, PKCE or the ID token do not check out. */
  async finishLogin(callbackUrl: URL, pending: PendingLogin): Promise<OidcTokens> {
    const config = await this.configuration();
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    return this.outcome(tokens);
  }

  async refresh(refreshToken: string): Promise<OidcTokens> {
    const tokens = await oidc.refreshTokenGrant(await this.configuration(), refreshToken);
    return this.outcome(tokens);
  }

  /** Where to send the browser to end the IdP session too (RP-initiated logout), if it can. */
  async logoutUrl(idToken: string | undefined): Promise<string | undefined> {
    const config = await this.configuration();
    if (!config.serverMetadata().end_session_endpoint) return undefined;
    return oidc
      .buildEndSessionUrl(config, {
        post_logout_redirect_uri: this.oidcSettings.postLogoutRedirectUri,
        ...(idToken ? { id_token_hint: idToken } : {}),
      })
      .toString();
  }

  /** The claims of a valid bearer access token (a JWT for OIDC_AUDIENCE). */
  async verifyAccessToken(token: string): Promise<JWTPayload> {
    const config = await this.configuration();
    const metadata = config.serverMetadata();
    if (!metadata.jwks_uri) throw new InvalidAccessToken('the identity provider publishes no JWKS');
    this.jwks ??= createRemoteJWKSet(new URL(metadata.jwks_uri));
    try {
      const { payload } = await jwtVerify(token, this.jwks, {
        issuer: metadata.issuer,
        audience: this.oidcSettings.audience,
        clockTolerance: 5,
      });
      return payload;
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired)
        throw new InvalidAccessToken('the access token has expired');
      if (err instanceof joseErrors.JWTClaimValidationFailed) {
        throw new InvalidAccessToken(`the access token's ${err.claim} claim is not accepted here`);
      }
      if (err instanceof joseErrors.JOSEError) {
        throw new InvalidAccessToken(
          'the access token is not a valid signed JWT of the identity provider',
        );
      }
      throw err;
    }
  }

  private outcome(
    tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers,
  ): OidcTokens {
    return {
      claims: { ...(tokens.claims() ?? {}) },
      idToken: tokens.id_token,
      refreshToken: tokens.refresh_token,
      expiresAt: Date.now() + (tokens.expiresIn() ?? 300) * 1000,
    };
  }
}
