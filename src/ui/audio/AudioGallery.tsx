import { useMemo } from 'react';
import { audioGroupOf } from '../../data/audio-ingest';
import { useShallow, useStudio, type AudioClipItem, type AudioGroupKey } from '../../state';
import { ShowAllButton } from '../common/ShowAllButton';
import { useFirstOrAll } from '../common/useFirstOrAll';
import { AudioClipCard } from './AudioClipCard';

/** Clips shown per class until "Show all". */
const FIRST = 6;

/** The clips, class by class: the first few of each (or all), each drawn and playable. */
export function AudioGallery() {
  const { clips, classNames, groupKey, busy } = useStudio(
    useShallow((s) => ({ clips: s.audio.clips, classNames: s.audio.classNames, groupKey: s.audio.groupKey, busy: s.audio.busy })),
  );
  const byClass = useMemo(() => {
    const map = new Map<string, AudioClipItem[]>();
    for (const c of clips) map.set(c.label, [...(map.get(c.label) ?? []), c]);
    return map;
  }, [clips]);
  return (
    <div className="audio-gallery" data-testid="audio.gallery">
      <h3>Clips</h3>
      {classNames.map((name) => (
        <ClassClips key={name} name={name} clips={byClass.get(name) ?? []} groupKey={groupKey} busy={busy} />
      ))}
    </div>
  );
}

function ClassClips({ name, clips, groupKey, busy }: { name: string; clips: AudioClipItem[]; groupKey: AudioGroupKey; busy: boolean }) {
  const list = useFirstOrAll(clips, FIRST);
  return (
    <section className="audio-class-clips" aria-label={`Clips of ${name}`}>
      <h4>
        {name} <span className="muted small">· {clips.length === 1 ? '1 clip' : `${clips.length} clips`}</span>
      </h4>
      <ul className="audio-clips">
        {list.shown.map((c) => {
          const group = audioGroupOf(c, groupKey);
          return <AudioClipCard key={c.id} clip={c} group={group === c.id ? null : group} disabled={busy} />;
        })}
      </ul>
      <ShowAllButton list={list} testId={`audio.clips-all.${name}`} fewer={`Show the first ${FIRST}`} />
    </section>
  );
}
