// How far a clone over SSH may run ahead of an OpenSSH client.
//
// The client grants a window (OpenSSH: 2 MiB per session channel) and may be sent that much
// more than it has passed on to git. OpenSSH's client, though, does work per packet in
// proportion to what it holds buffered: fed a whole 2 MiB ahead of a busy `git index-pack`,
// its CPU for a 58 MiB clone measured 1.7 s (median; 1.4 s against sshd, which also fills the window);
// kept 512 KiB ahead, 0.45 s, and the clone's wall time fell with it on a two-core machine,
// where that CPU is taken from index-pack. 512 KiB per round trip still outruns gigabit
// Ethernet at any LAN latency (50 MB/s at a 10 ms round trip); for long fast links the
// setting ssh.sendAheadKiB raises it.
//
// Only OpenSSH's client is held back, because holding back is safe only with a client that
// acknowledges early: OpenSSH adjusts its window once more than three packets are outstanding
// (channel_check_window: `local_window_max - local_window > local_maxpacket * 3`, or under
// half the window). A client that waits until half its window is used up (ssh2's, for one)
// would wait forever for data we never send.
import type { ServerChannel } from 'ssh2';

/** Client software (the SSH identification's softwareversion) whose window rule we rely on. */
export function acknowledgesEarly(software: string | null | undefined): boolean {
  return typeof software === 'string' && /^OpenSSH_(for_Windows_)?\d/.test(software);
}

/**
 * Keeps what we send on `channel` at most `bytes` ahead of what the client has acknowledged,
 * however large the window it granted, and never under four of its packets (OpenSSH
 * acknowledges after three). ssh2 sends while its copy of the client's window is positive and
 * adds each adjustment to it, so lowering that copy once, before anything is sent, keeps it
 * `granted - bytes` below the client's real window for good. Returns false (and changes
 * nothing) when the channel keeps no such copy (an ssh2 that stores it elsewhere).
 */
export function limitSendAhead(channel: ServerChannel, bytes: number): boolean {
  const outgoing = (channel as unknown as { outgoing?: { window?: unknown; packetSize?: unknown } }).outgoing;
  if (!outgoing || typeof outgoing.window !== 'number' || typeof outgoing.packetSize !== 'number') return false;
  const ahead = Math.max(bytes, 4 * outgoing.packetSize);
  if (outgoing.window > ahead) outgoing.window = ahead;
  return true;
}
