// Placeholder: the animated background comes with the appearance work.
export function Backdrop() {
  return null;
}
