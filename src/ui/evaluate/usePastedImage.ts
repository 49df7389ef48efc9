import { useEffect } from 'react';

/** The first image among dropped or pasted files. */
export function firstImage(files: FileList | null | undefined): File | null {
  for (const f of Array.from(files ?? [])) if (f.type.startsWith('image/')) return f;
  return null;
}

function editable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement
  );
}

/** Calls `onImage` with an image pasted anywhere on the page (Ctrl+V / ⌘V), except into a text field. */
export function usePastedImage(onImage: (file: File) => void, enabled: boolean): void {
  useEffect(() => {
    if (!enabled) return;
    const onPaste = (e: ClipboardEvent) => {
      if (editable(e.target)) return;
      const file = firstImage(e.clipboardData?.files);
      if (!file) return;
      e.preventDefault();
      onImage(file.name ? file : new File([file], 'pasted image', { type: file.type }));
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  }, [onImage, enabled]);
}
