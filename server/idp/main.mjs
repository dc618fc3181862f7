// `npm run idp`: the development SMART authorization server (oidc-provider) on 127.0.0.1.
// Runs in its own process (oidc-provider is ESM-only); the FHIR server never imports it.
import express from 'express';
import Provider from 'oidc-provider';
import { loadIdpConfig } from './idp-config.mjs';
import { interactionRoutes } from './interactions.mjs';
import { launchContextStore, providerConfiguration, tokenResponseContext } from './provider-config.mjs';

const settings = loadIdpConfig();
const launch = launchContextStore();
const provider = new Provider(settings.issuer, providerConfiguration(settings, launch));
// Plain http on loopback only: oidc-provider would otherwise refuse non-TLS cookies behind proxies.
provider.proxy = false;
tokenResponseContext(provider, launch);
provider.on('server_error', (_ctx, err) => process.stderr.write(`idp server_error: ${err?.message ?? err}\n`));

const app = express();
app.disable('x-powered-by');
app.use(interactionRoutes(provider, settings, launch));
app.use(provider.callback());

// Express 5 hands a listen error (EADDRINUSE) to this callback: exit 1 naming it instead of announcing an issuer
// that nobody serves (test harnesses retry on another port when they see it).
const server = app.listen(settings.port, settings.host, (err) => {
  if (err) {
    process.stderr.write(`idp could not listen on ${settings.host}:${settings.port}: ${err.code ?? err.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`TwinFHIR dev authorization server: issuer ${settings.issuer} (audience ${settings.fhirBase})\n`);
  process.stdout.write(`  start the FHIR server with AUTH_ISSUER=${settings.issuer} AUTH_AUDIENCE=${settings.fhirBase}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
