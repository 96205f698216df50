/** Props of {@link Meter}. */
export interface MeterProps {
  value: number;
  max: number;
  /** What the bar shows, read by screen readers, e.g. "42 of 100 runs". */
  label: string;
}

/**
 * A small horizontal bar as SVG (widths are SVG attributes: the CSP forbids `style=`). Put the figure as text next
 * to it; the bar only adds the picture.
 */
export function Meter({ value, max, label }: MeterProps) {
  const ratio = max > 0 && Number.isFinite(value) ? Math.min(1, Math.max(0, value / max)) : 0;
  return (
    <svg class="meter" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label={label}>
      <rect class="track" x="0" y="0" width="100" height="10" />
      <rect class="fill" x="0" y="0" width={(ratio * 100).toFixed(2)} height="10" />
    </svg>
  );
}
