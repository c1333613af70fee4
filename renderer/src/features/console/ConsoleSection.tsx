// Placeholder while the page is being built (replaced in this session's work on the browser UI).
import { EmptyState, Panel } from '../../components/ui';

export function ConsoleSection() {
  return (
    <Panel>
      <EmptyState title="ConsoleSection" />
    </Panel>
  );
}
