import { setSegColourClass, useShallow, useStudio } from '../../state';
import { ClassSwatch } from './ClassSwatch';

/** For colour (RGB) masks: which class each mask colour stands for; a change reads every mask again. */
export function ColourMapEditor() {
  const { map, names, busy } = useStudio(useShallow((s) => ({ map: s.seg.colourMap, names: s.seg.classNames, busy: s.seg.busy })));
  if (!map) return null;
  return (
    <div className="seg-colour-map" data-testid="seg.colour-map">
      <h3>Colour map</h3>
      <p className="muted small">
        Some masks are colour pictures: each colour below was given a class. Change one and every mask is read again.
      </p>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Mask colour</th>
            <th scope="col">Class</th>
          </tr>
        </thead>
        <tbody>
          {map.map((c) => (
            <tr key={c.colour} data-testid={`seg.colour.${c.colour.slice(1)}`}>
              <td>
                <span className="seg-swatch" style={{ background: c.colour }} aria-hidden="true" /> <code>{c.colour}</code>
              </td>
              <td>
                <ClassSwatch index={c.classIndex} />{' '}
                <select
                  aria-label={`Class of the mask colour ${c.colour}`}
                  value={c.classIndex}
                  disabled={busy}
                  onChange={(e) => void setSegColourClass(c.colour, Number(e.target.value))}
                >
                  {names.map((n, i) => (
                    <option key={i} value={i}>
                      {i} · {n}
                    </option>
                  ))}
                  {names.length < 255 && <option value={names.length}>{names.length} · a new class</option>}
                </select>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
