document.getElementById('form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const p = params();
  const { ok, data } = await api('POST', `/bookings/${encodeURIComponent(p.get('booking') || '')}/cancel`, { token: p.get('token') });
  const el = document.getElementById('result');
  if (ok) {
    show(el, data.already_cancelled ? 'This booking was already cancelled.' : 'Your booking is cancelled.', true);
  } else {
    show(el, errorText(data), false);
  }
});
