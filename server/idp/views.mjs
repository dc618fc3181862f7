// HTML of the login and launch/consent steps: plain forms, no scripts, every value escaped.

const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = (title, body) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${esc(title)} · TwinFHIR dev authorization server</title>
<style>body{font:16px system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}label{display:block;margin:.75rem 0 .25rem}
select,input{font:inherit;width:100%;padding:.4rem}button{font:inherit;margin:1rem .5rem 0 0;padding:.5rem 1rem}code{font-size:.85em}</style>
</head><body><h1>${esc(title)}</h1>${body}</body></html>`;

export function loginPage(uid, clientId, users, error) {
  const options = users.map((u) => `<option value="${esc(u.id)}">${esc(u.name)} — ${esc(u.fhirUser)}</option>`).join('');
  return page('Sign in', `<p>Application <code>${esc(clientId)}</code> asks you to sign in.</p>
${error ? `<p role="alert"><strong>${esc(error)}</strong></p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login">
<label for="user">User</label><select id="user" name="user">${options}</select>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password">
<button type="submit">Sign in</button></form>`);
}

export function consentPage(uid, clientId, scopes, patients, needsPatient) {
  const list = scopes.map((s) => `<li><code>${esc(s)}</code></li>`).join('');
  const picker = needsPatient
    ? `<label for="patient">Patient</label><select id="patient" name="patient">${patients.map((p) => `<option value="${esc(p.id)}">${esc(p.name)} (Patient/${esc(p.id)})</option>`).join('')}</select>`
    : '';
  return page('Allow access', `<p>Application <code>${esc(clientId)}</code> asks for:</p><ul>${list}</ul>
<form method="post" action="/interaction/${esc(uid)}/confirm">${picker}
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button></form>`);
}
