// The interaction routes (login, then launch/consent choosing the patient), driven by oidc-provider's
// interaction API: https://github.com/panva/node-oidc-provider/blob/v8.x/docs/README.md#interactions
import { timingSafeEqual, createHash } from 'node:crypto';
import express from 'express';
import { consentPage, loginPage } from './views.mjs';

const sameSecret = (a, b) => timingSafeEqual(createHash('sha256').update(String(a)).digest(), createHash('sha256').update(String(b)).digest());

function requestedScopes(details) {
  const oidc = details.prompt.details.missingOIDCScope ?? [];
  const resource = Object.values(details.prompt.details.missingResourceScopes ?? {}).flat();
  return { oidc, resource, all: [...oidc, ...resource] };
}

async function confirm(provider, settings, launch, req, res) {
  const details = await provider.interactionDetails(req, res);
  if (req.body.decision !== 'allow') {
    return provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'the user denied access' }, { mergeWithLastSubmission: false });
  }
  const { prompt, params, session, grantId } = details;
  if (prompt.name !== 'consent') return res.status(400).send('unexpected step');
  const grant = grantId ? await provider.Grant.find(grantId) : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  const scopes = requestedScopes(details);
  if (scopes.oidc.length) grant.addOIDCScope(scopes.oidc.join(' '));
  for (const [indicator, list] of Object.entries(prompt.details.missingResourceScopes ?? {})) grant.addResourceScope(indicator, list.join(' '));
  const id = await grant.save();
  if (String(params.scope ?? '').split(' ').includes('launch/patient')) {
    const patient = settings.patients.find((p) => p.id === req.body.patient);
    if (!patient) return res.status(400).send('choose a patient');
    launch.set(id, { patient: patient.id });
  }
  return provider.interactionFinished(req, res, { consent: { grantId: id } }, { mergeWithLastSubmission: true });
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

/**
 * Browsers apply form-action to the whole redirect chain of a submitted form: the login/consent
 * forms end in a redirect to the client's redirect URI, so its origin must be allowed too.
 */
async function pageCsp(provider, clientId) {
  const client = clientId ? await provider.Client.find(String(clientId)) : undefined;
  const origins = [...new Set((client?.redirectUris ?? []).filter((u) => URL.canParse(u)).map((u) => new URL(u).origin))];
  return `${CSP}; form-action 'self'${origins.map((o) => ` ${o}`).join('')}`;
}

export function interactionRoutes(provider, settings, launch) {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '8kb' });
  router.use((_req, res, next) => {
    res.set({ 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': `${CSP}; form-action 'self'` });
    next();
  });
  router.get('/interaction/:uid', async (req, res, next) => {
    try {
      const { uid, prompt, params } = await provider.interactionDetails(req, res);
      res.set('Content-Security-Policy', await pageCsp(provider, params.client_id));
      if (prompt.name === 'login') return res.type('html').send(loginPage(uid, params.client_id, settings.users));
      const scopes = requestedScopes(await provider.interactionDetails(req, res)).all;
      return res.type('html').send(consentPage(uid, params.client_id, scopes, settings.patients, String(params.scope ?? '').split(' ').includes('launch/patient')));
    } catch (err) { next(err); }
  });
  router.post('/interaction/:uid/login', form, async (req, res, next) => {
    try {
      const { uid, params } = await provider.interactionDetails(req, res);
      const user = settings.users.find((u) => u.id === req.body.user);
      if (!user || (user.password !== undefined && !sameSecret(user.password, req.body.password ?? ''))) {
        return res.status(401).type('html').send(loginPage(uid, params.client_id, settings.users, 'Unknown user or wrong password'));
      }
      return provider.interactionFinished(req, res, { login: { accountId: user.id } }, { mergeWithLastSubmission: false });
    } catch (err) { next(err); }
  });
  router.post('/interaction/:uid/confirm', form, async (req, res, next) => {
    try { await confirm(provider, settings, launch, req, res); } catch (err) { next(err); }
  });
  return router;
}
