// Placeholder while the page is being built (replaced in this session's work on the console).
import { Outlet } from '@tanstack/react-router';

export function ConsoleLayout() {
  return <Outlet />;
}
