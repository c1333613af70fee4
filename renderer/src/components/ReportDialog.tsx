// "Report" for a post, a message or a person: a reason, sent to the site's administrators
// (POST /api/v1/reports), who see it in the console. Used by the feed, the messenger and profiles.
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { apiSend } from '../api/client';
import { Button, FormError, Hint, Modal, Notice } from './ui';

export type ReportTarget = { kind: 'post' | 'message'; id: number } | { kind: 'user'; username: string };

export function ReportButton({ target, label = 'Report', className }: { target: ReportTarget; label?: string; className?: string }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const send = useMutation({ mutationFn: (body: Record<string, unknown>) => apiSend('POST', '/reports', body) });
  const what = target.kind === 'user' ? target.username : `this ${target.kind}`;
  return (
    <>
      <button type="button" className={className} onClick={() => setOpen(true)} data-testid="report-open">
        {label}
      </button>
      <Modal
        open={open}
        onOpenChange={(o) => {
          setOpen(o);
          if (!o) {
            send.reset();
            setReason('');
          }
        }}
        title={`Report ${what}`}
        actions={
          send.isSuccess ? (
            <Button onClick={() => setOpen(false)}>Close</Button>
          ) : (
            <>
              <Button onClick={() => setOpen(false)}>Cancel</Button>
              <Button variant="danger" busy={send.isPending} disabled={!reason.trim()} onClick={() => send.mutate({ ...target, reason })} data-testid="report-send">
                Report
              </Button>
            </>
          )
        }
      >
        {send.isSuccess ? (
          <Notice kind="ok">Thanks: the administrators will look at it.</Notice>
        ) : (
          <>
            <label htmlFor="report-reason">What is wrong?</label>
            <textarea id="report-reason" rows={3} maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} data-testid="report-reason" />
            <Hint>The site's administrators see your report, the reason and what you reported.</Hint>
            <FormError error={send.error} />
          </>
        )}
      </Modal>
    </>
  );
}
