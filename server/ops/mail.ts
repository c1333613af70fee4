// Outgoing mail over SMTP (nodemailer), configured by the smtp.* settings. A transport is made
// per send from the current settings, so a change in the console applies to the next mail.
// nodemailer loads at the first send: most servers never mail, and it costs ~5 MB and ~40 modules
// at start-up.
import { AppError, Invalid } from '../lib/errors.js';
import type { SettingsService } from '../settings/index.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface SentMail {
  message_id: string;
  accepted: string[];
  rejected: string[];
  /** The SMTP server's last reply. */
  response: string;
}

export class MailService {
  constructor(private readonly settings: SettingsService) {}

  configured(): boolean {
    return this.settings.get('smtp.host') !== '';
  }

  private from(): string {
    const from = this.settings.get('smtp.from');
    if (from) return from;
    const name = this.settings.get('instance.name').replace(/["\\\r\n]/g, '');
    return `"${name}" <gitssy@${this.settings.get('smtp.host') || 'localhost'}>`;
  }

  async send(msg: MailMessage): Promise<SentMail> {
    const host = this.settings.get('smtp.host');
    if (!host) throw Invalid('mail is not set up: enter the SMTP server (smtp.host) in the console settings first');
    const user = this.settings.get('smtp.user');
    const { default: nodemailer } = await import('nodemailer');
    const transport = nodemailer.createTransport({
      host,
      port: this.settings.get('smtp.port'),
      secure: this.settings.get('smtp.secure'),
      auth: user ? { user, pass: this.settings.get('smtp.password') } : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
    try {
      const info = await transport.sendMail({ from: this.from(), to: msg.to, subject: msg.subject, text: msg.text });
      return {
        message_id: String(info.messageId ?? ''),
        accepted: (info.accepted ?? []).map(String),
        rejected: (info.rejected ?? []).map(String),
        response: String(info.response ?? ''),
      };
    } catch (err) {
      const e = err as Error & { code?: string; response?: string };
      const detail = e.response ?? e.message;
      throw new AppError('unavailable', `the mail server ${host}:${this.settings.get('smtp.port')} did not take the message: ${detail}; check the SMTP settings (host, port, TLS, user and password)`, {
        status: 502,
        cause: err,
      });
    } finally {
      transport.close();
    }
  }
}
