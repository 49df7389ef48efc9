import { FreezePresets } from './FreezePresets';
import { FreezeStats } from './FreezeStats';

/** Which pre-trained layers keep learning: presets and a slider above, live counts below. */
export function FreezeControls() {
  return (
    <div className="freeze">
      <FreezePresets />
      <FreezeStats />
    </div>
  );
}
