import { useState } from 'react';

export interface FirstOrAll<T> {
  shown: readonly T[];
  all: boolean;
  total: number;
  first: number;
  toggle: () => void;
}

/** A long list shown by its first `first` items until the person asks for all of them (and back). */
export function useFirstOrAll<T>(items: readonly T[], first: number): FirstOrAll<T> {
  const [all, setAll] = useState(false);
  return {
    shown: all ? items : items.slice(0, first),
    all,
    total: items.length,
    first,
    toggle: () => setAll((on) => !on),
  };
}
