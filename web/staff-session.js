// What the staff screens (desk.html, admin/index.html) share to sign in: the
// token's claims, the tab's sessionStorage, and the local runner's demo
// accounts. In AWS there are no demo accounts: staff paste the token the
// office's Cognito sign-in gave them; the API checks it on every request.

/** The value kept under `key` in this tab's sessionStorage, or null. */
export function stored(key) {
  try {
    return JSON.parse(sessionStorage.getItem(key) || 'null');
  } catch {
    return null;
  }
}

/** Keeps `value` under `key` in this tab's sessionStorage; null forgets it. */
export function store(key, value) {
  try {
    if (value === null) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, JSON.stringify(value));
  } catch { /* storage off: this page view only */ }
}

/** The claims of a JWT, read (not verified: the API verifies every request). */
export function claims(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = decodeURIComponent([...atob(payload)].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join(''));
    return JSON.parse(json);
  } catch {
    return null;
  }
}

/**
 * A pasted token (a leading "Bearer " is dropped) as a session
 * `{ token, user, groups }`; null when it is not a JWT.
 */
export function sessionOfToken(pasted) {
  const token = pasted.trim().replace(/^Bearer\s+/i, '');
  const c = claims(token);
  if (!c) return null;
  const groups = Array.isArray(c['cognito:groups']) ? c['cognito:groups'] : [];
  return { token, user: c['cognito:username'] || c.username || c.email || c.sub || '?', groups };
}

/** The offices where `groups` (`clerk:olsztyn`, `office_admin:opava`) give one of `roles`. */
export function officesOf(groups, roles) {
  const offices = groups.map((g) => g.split(':')).filter(([role, office]) => roles.includes(role) && office).map(([, office]) => office);
  return [...new Set(offices)];
}

/** The local runner's demo accounts `[{ user, groups }]`; elsewhere none. */
export async function demoAccounts() {
  const response = await fetch('/_local/staff').catch(() => null);
  const data = response && response.ok ? await response.json().catch(() => null) : null;
  return (data && data.staff) || [];
}

/** A session for a demo account from the local runner; null when it cannot be had. */
export async function demoSession(user) {
  const response = await fetch('/_local/staff-token', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user }),
  }).catch(() => null);
  const data = response && response.ok ? await response.json().catch(() => null) : null;
  return data && data.token ? { token: data.token, user, groups: data.groups } : null;
}
