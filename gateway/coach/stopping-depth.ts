/** What squatmon tells the lifter about their stopping depth (the number itself: shared/posture.ts). */
import { CUTOFF_MARGIN_CM } from '../../shared/posture.ts';

export function stoppingDepthAdvice(cutoffCm: number | null): string {
  if (cutoffCm === null) {
    return 'No butt wink detected in this session: keep your current depth as long as it feels good.';
  }
  return `Your lower back started rounding below about ${cutoffCm + CUTOFF_MARGIN_CM} cm. Stop at ${cutoffCm} cm for now, get strong there, and extend the depth gradually over the coming weeks while the back stays neutral.`;
}
