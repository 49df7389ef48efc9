import { chooseTask, isBusy, useStudio, type Task } from '../../state';

const TASKS: { id: Task; title: string; text: string }[] = [
  { id: 'image-classification', title: 'Image classification', text: 'Folders of pictures → a model that names what it sees.' },
  { id: 'text-generation', title: 'Text generation', text: 'Your writing → a language model that continues text in its style.' },
  { id: 'text-classification', title: 'Text classification', text: 'A CSV of texts and labels → a model that sorts new texts.' },
];

/** The first choice: what the fine-tuned model will do. */
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
            <span className="catalog-good">{t.text}</span>
          </button>
        ))}
      </div>
    </section>
  );
}
