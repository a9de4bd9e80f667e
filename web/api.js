// Shared by the pages: calls the API and renders its one error shape.
async function api(method, path, body) {
  const response = await fetch(window.TERMIN_API + path, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await response.json().catch(() => ({}));
  return { ok: response.ok, status: response.status, data };
}

function errorText(data) {
  const e = (data && data.error) || {};
  const fields = (e.fields || []).map((f) => `${f.field}: ${f.message}`).join('; ');
  return [e.message || 'Something went wrong', fields].filter(Boolean).join(' — ');
}

function show(el, text, ok) {
  el.textContent = text;
  el.className = ok ? 'ok' : 'error';
}

function text(t, lang) {
  return (t && (t[lang] || t.en || Object.values(t)[0])) || '';
}

function params() {
  return new URLSearchParams(window.location.search);
}
