import { useEffect } from 'react';
import { isTextTask, startStudio, useStudio } from '../state';
import { Header } from './Header';
import { DatasetStep } from '../ui/dataset/DatasetStep';
import { ModelStep } from '../ui/model/ModelStep';
import { TrainStep } from '../ui/train/TrainStep';
import { EvaluateStep } from '../ui/evaluate/EvaluateStep';
import { TaskPicker } from '../ui/text/TaskPicker';
import { TextDataStep } from '../ui/text/TextDataStep';
import { TextModelStep } from '../ui/text/TextModelStep';
import { TextTrainStep } from '../ui/text/TextTrainStep';
import { TextEvaluateStep } from '../ui/text/TextEvaluateStep';

let started = false;

export function App() {
  const task = useStudio((s) => s.text.task);
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
        <TaskPicker />
        {isTextTask(task) ? (
          <>
            <TextDataStep />
            <TextModelStep />
            <TextTrainStep />
            <TextEvaluateStep />
          </>
        ) : (
          <>
            <DatasetStep />
            <ModelStep />
            <TrainStep />
            <EvaluateStep />
          </>
        )}
      </main>
      <footer className="footer">Everything runs in this browser tab: your images and texts are never uploaded.</footer>
    </div>
  );
}
