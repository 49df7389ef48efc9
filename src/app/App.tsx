import { useEffect } from 'react';
import { startStudio } from '../state';
import { Header } from './Header';
import { DatasetStep } from '../ui/dataset/DatasetStep';
import { ModelStep } from '../ui/model/ModelStep';
import { TrainStep } from '../ui/train/TrainStep';
import { EvaluateStep } from '../ui/evaluate/EvaluateStep';

let started = false;

export function App() {
  useEffect(() => {
    // StrictMode runs effects twice in development; the studio starts once.
    if (started) return;
    started = true;
    startStudio();
  }, []);

  return (
    <div className="app">
      <Header />
      <main className="steps">
        <DatasetStep />
        <ModelStep />
        <TrainStep />
        <EvaluateStep />
      </main>
      <footer className="footer">
        Everything runs in this browser tab: your images are never uploaded.
      </footer>
    </div>
  );
}
