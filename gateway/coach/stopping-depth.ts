/**
 * The suggested stopping depth (INTERFACES.md §2): at or above the shallowest wink onset of the session, by
 * at most 5 cm; null when no rep winked. squatmon stops the lifter 2 cm above that onset: a margin for rep-to-rep
 * variation that still lets them train nearly the whole range they control.
 */
export const CUTOFF_MARGIN_CM = 2;
export const MAX_CUTOFF_MARGIN_CM = 5;

export function suggestedCutoffCm(winkOnsetDepthsCm: readonly number[]): number | null {
  if (winkOnsetDepthsCm.length === 0) return null;
  const shallowest = Math.min(...winkOnsetDepthsCm);
  // Round down to whole centimetres (a number a lifter can remember), never below the 5 cm bound.
  const cutoff = Math.max(Math.floor(shallowest - CUTOFF_MARGIN_CM), shallowest - MAX_CUTOFF_MARGIN_CM);
  return Math.max(0, cutoff);
}

export function stoppingDepthAdvice(cutoffCm: number | null): string {
  if (cutoffCm === null) {
    return 'No butt wink detected in this session: keep your current depth as long as it feels good.';
  }
  return `Your lower back started rounding below about ${cutoffCm + CUTOFF_MARGIN_CM} cm. Stop at ${cutoffCm} cm for now, get strong there, and extend the depth gradually over the coming weeks while the back stays neutral.`;
}
