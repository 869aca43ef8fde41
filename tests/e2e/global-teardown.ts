// Stops the checkout-server global-setup.ts started (runs in the same runner process, so the
// pid is in its environment); a server we did not start is left alone.
export default async function globalTeardown(): Promise<void> {
  const pid = Number(process.env.CHECKOUT_SERVER_PID);
  if (!pid) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
  }
  process.kill(pid, 'SIGKILL');
}
