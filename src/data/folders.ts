/**
 * Tracks the folders a drop showed, to report class folders that ended up with no accepted image.
 * Only leaf folders count: `root/` holding `root/circle/` is a container, not an empty class.
 */
export class FolderTracker {
  private readonly leaves = new Map<string, string>();
  private readonly containers = new Set<string>();

  /** Notes a folder (its path segments) that held a file or was listed as a directory entry; zips count as unpacked in place. */
  noteFolder(segments: readonly string[]): void {
    const label = segments[segments.length - 1];
    if (label === undefined) return;
    this.leaves.set(segments.join('/'), label);
    for (let n = 1; n < segments.length; n++) this.containers.add(segments.slice(0, n).join('/'));
  }

  /** Class names of leaf folders whose class has no accepted image, sorted. */
  emptyClasses(acceptedLabels: ReadonlySet<string>): string[] {
    const empty = new Set<string>();
    for (const [k, label] of this.leaves) {
      if (!this.containers.has(k) && !acceptedLabels.has(label)) empty.add(label);
    }
    return [...empty].sort();
  }
}
