// Container sizes for `docker ps -s` and /system/df.
import { dirSize } from '../../fs/dir-size.js';

export { dirSize };

/** SizeRw (the writable layer) and SizeRootFs (plus the image's layers), as `docker ps -s` shows. */
export async function containerSizes(upper: string, layerDirs: string[]): Promise<{ SizeRw: number; SizeRootFs: number }> {
  const rw = await dirSize(upper);
  let base = 0;
  const seen = new Set<string>();
  for (const d of layerDirs) base += await dirSize(d, seen);
  return { SizeRw: rw, SizeRootFs: rw + base };
}
