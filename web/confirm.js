document.getElementById('form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const p = params();
  const code = document.getElementById('code').value.trim();
  const body = code ? { code } : { token: p.get('token') };
  const { ok, data } = await api('POST', `/bookings/${encodeURIComponent(p.get('booking') || '')}/confirm`, body);
  const el = document.getElementById('result');
  if (ok) {
    const b = data.booking;
    show(el, `Confirmed for ${new Date(b.start).toLocaleString()}. Your kiosk code: ${b.kiosk_code}. Reference ${b.public_ref}.`, true);
  } else {
    show(el, errorText(data), false);
  }
});
