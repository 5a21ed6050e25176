import { Audit, AuditService } from '@autocoder/server-audit';
import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import {
  Allow,
  AUTH_SETTINGS,
  AuthSettings,
  CONSOLE_SESSION,
  ConsoleSession,
  CurrentPrincipal,
  OidcClient,
  Principal,
  Public,
  REFRESH_TOKEN_BOX,
  requestId,
  roleFromClaims,
  SecretBox,
  userLabel,
  UsersService,
} from '@autocoder/server-auth';
import {
  AuthMeView,
  AuthMeViewSchema,
  SignOutView,
  SignOutViewSchema,
} from '@autocoder/shared-contracts';
import {
  Controller,
  Get,
  Inject,
  Logger,
  Post,
  Query,
  Req,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Operation } from '../http/operation.decorator';

/** Only same-site paths: "/board/x" yes, "//evil.example" and "https://…" no (open redirect). */
function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//')) return '/';
  if (value.includes('\\') || [...value].some((c) => c.charCodeAt(0) < 0x20)) return '/';
  return value.slice(0, 2000);
}

/**
 * Console sign-in with the identity provider (authorization code with PKCE), who is signed in,
 * and sign-out (RP-initiated logout). Every outcome is audited.
 */
@ApiTags('auth')
@Controller('auth')
export class AuthController {
  private readonly logger = new Logger(AuthController.name);

  constructor(
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    private readonly oidc: OidcClient,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    @Inject(REFRESH_TOKEN_BOX) private readonly box: SecretBox,
    @Inject(CONSOLE_SESSION) private readonly session: ConsoleSession | null,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Sends the browser to the identity provider; it comes back to /auth/callback. */
  @Get('login')
  @Public()
  @ApiExcludeEndpoint()
  async login(
    @Req() req: Request,
    @Res() res: Response,
    @Query('returnTo') returnTo?: string,
  ): Promise<void> {
    const target = safeReturnTo(returnTo);
    if (this.settings.mode === 'none') {
      res.redirect(303, target);
      return;
    }
    const { url, pending } = await this.oidc.beginLogin(target).catch((err: unknown) => {
      this.logger.warn({ err: String(err) }, 'identity provider unreachable');
      throw new ServiceUnavailableException({
        message: 'The identity provider does not answer; try again shortly.',
      });
    });
    req.session.pendingLogin = pending;
    await save(req);
    res.redirect(303, url.toString());
  }

  @Get('callback')
  @Public()
  @ApiExcludeEndpoint()
  async callback(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (this.settings.mode !== 'oidc') {
      res.redirect(303, '/');
      return;
    }
    const pending = req.session?.pendingLogin;
    const fail = async (reason: string, detail?: string): Promise<void> => {
      await this.audit.record({
        actorType: 'user',
        ip: req.ip,
        requestId: requestId(req),
        action: 'auth.login_failed',
        targetType: 'session',
        after: { reason, ...(detail ? { detail } : {}) },
      });
      res.redirect(303, `/?signInError=${encodeURIComponent(reason)}`);
    };
    if (!pending) return fail('no sign-in in progress (expired, or opened in another browser)');
    delete req.session.pendingLogin;
    let tokens;
    try {
      const callbackUrl = new URL(req.originalUrl, this.settings.redirectUri);
      tokens = await this.oidc.finishLogin(callbackUrl, pending);
    } catch (err) {
      this.logger.warn({ err: String(err) }, 'sign-in callback refused');
      return fail('the identity provider did not confirm the sign-in', String(err).slice(0, 300));
    }
    const role = roleFromClaims(tokens.claims, this.settings.roles);
    if (!role) {
      return fail(
        `no AutoCoder role for ${String(tokens.claims['email'] ?? tokens.claims['sub'])}`,
      );
    }
    const user = await this.users.fromClaims(this.settings.issuer.toString(), tokens.claims, role, {
      login: true,
    });
    // A new session id at sign-in, so a session fixed before it is worth nothing.
    await new Promise<void>((done, failed) =>
      req.session.regenerate((err) => (err ? failed(err) : done())),
    );
    req.session.user = {
      userId: user.id,
      label: userLabel(user),
      role,
      idToken: tokens.idToken,
      sealedRefreshToken: tokens.refreshToken ? this.box.seal(tokens.refreshToken) : undefined,
      recheckAt: tokens.expiresAt,
    };
    await save(req);
    await this.audit.record({
      actorType: 'user',
      actorId: user.id,
      actorLabel: userLabel(user),
      role,
      ip: req.ip,
      requestId: requestId(req),
      action: 'auth.login',
      targetType: 'user',
      targetId: user.id,
    });
    res.redirect(303, pending.returnTo);
  }

  /** Who is signed in; also hands the console its CSRF token (XSRF-TOKEN cookie). */
  @Get('me')
  @Operation('Who is signed in', { returns: AuthMeViewSchema })
  // Every caller may ask who it is, a project-scoped API token included.
  @Allow('viewer', { projectScopeByHandler: true })
  me(
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): AuthMeView {
    if (principal.kind === 'session') this.session?.issueCsrfToken(req, res);
    return {
      userId: principal.userId,
      name: principal.label,
      role: principal.role,
      via: principal.kind,
      authMode: this.settings.mode,
      errorReports: this.errorReports(),
    };
  }

  /** The console's error reporting: SENTRY_BROWSER_DSN, else SENTRY_DSN; null when neither. */
  private errorReports(): AuthMeView['errorReports'] {
    const dsn = this.config.SENTRY_BROWSER_DSN ?? this.config.SENTRY_DSN;
    if (!dsn) return null;
    return {
      dsn,
      release: this.config.SENTRY_RELEASE,
      environment: this.config.SENTRY_ENVIRONMENT ?? this.config.NODE_ENV,
    };
  }

  /**
   * Ends the console session; the answer says where to send the browser to end the identity
   * provider's session too.
   */
  @Post('logout')
  @Operation('Sign out of the console', { returns: SignOutViewSchema, status: 200 })
  @Allow('viewer')
  @Audit({ action: 'auth.logout', target: 'session' })
  async logout(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SignOutView> {
    const idToken = req.session?.user?.idToken;
    if (req.session?.user) {
      await new Promise<void>((done) => req.session.destroy(() => done()));
      if (this.session) res.clearCookie(this.session.cookieName, { path: '/' });
    }
    const logoutUrl =
      this.settings.mode === 'oidc'
        ? await this.oidc.logoutUrl(idToken).catch(() => undefined)
        : undefined;
    return { logoutUrl: logoutUrl ?? null };
  }
}

function save(req: Request): Promise<void> {
  return new Promise((done, fail) => req.session.save((err) => (err ? fail(err) : done())));
}
