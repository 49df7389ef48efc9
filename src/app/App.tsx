import { useEffect } from 'react';
import { startRunsSync, startStudio, useStudio } from '../state';
import { STEP_IDS } from '../tasks';
import { VIEWS } from '../tasks/views';
import { Header } from './Header';
import { TaskPicker } from '../ui/common/TaskPicker';
import { RunsPanel } from '../ui/runs/RunsPanel';

let started = false;

export function App() {
  const task = useStudio((s) => s.text.task);
  useEffect(() => {
    // StrictMode runs effects twice in development; the studio starts once.
    if (started) return;
    started = true;
    startStudio();
    startRunsSync();
  }, []);

  const views = VIEWS[task];
  return (
    <div className="app">
      <Header />
      <main className="steps">
        <TaskPicker />
        {STEP_IDS.map((step) => {
          const View = views[step];
          return <View key={step} />;
        })}
        <RunsPanel />
      </main>
      <footer className="footer">Everything runs in this browser tab: your images and texts are never uploaded.</footer>
    </div>
  );
}
