import { chooseTask, isBusy, useStudio } from '../../state';
import { TASKS } from '../../tasks';

/** The first choice: what the fine-tuned model will do. One card per task definition. */
export function TaskPicker() {
  const task = useStudio((s) => s.text.task);
  const textBusy = useStudio((s) => isBusy(s.text.status));
  const imageBusy = useStudio((s) => isBusy(s.status));
  return (
    <section className="card task-picker" aria-label="Task">
      <h2 className="step-title">What should your model do?</h2>
      <div className="catalog" role="radiogroup" aria-label="Task">
        {TASKS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="radio"
            aria-checked={task === t.id}
            className={`catalog-card ${task === t.id ? 'catalog-card-on' : ''}`}
            data-testid={`task.${t.id}`}
            disabled={textBusy || imageBusy}
            onClick={() => chooseTask(t.id)}
          >
            <span className="catalog-name">{t.title}</span>
            <span className="catalog-good">{t.summary}</span>
          </button>
        ))}
      </div>
    </section>
  );
}
