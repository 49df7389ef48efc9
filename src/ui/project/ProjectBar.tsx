import { useState } from 'react';
import { deleteProject, duplicateProject, isBusy, newProject, openProject, renameProject, useShallow, useStudio } from '../../state';

function size(bytes: number | null): string {
  if (bytes === null) return '?';
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}

/** The current project's name and a small list of saved projects (new, open, rename, duplicate, delete). */
export function ProjectBar() {
  const { projects, currentId, usage, quota, available } = useStudio(
    useShallow((p) => ({ projects: p.projects, currentId: p.currentId, usage: p.usage, quota: p.quota, available: p.available })),
  );
  const { name, busy } = useStudio(useShallow((s) => ({ name: s.projectName, busy: isBusy(s.status) && s.status !== 'paused' })));
  const [open, setOpen] = useState(false);
  if (!available) return <p className="muted">Projects are not saved: this browser gives the page no storage.</p>;
  return (
    <div className="project-bar">
      <label>
        Project{' '}
        <input
          data-testid="project.name"
          value={name}
          aria-label="Project name"
          onChange={(e) => useStudio.getState().setProjectName(e.target.value)}
        />
      </label>
      <button type="button" className="btn btn-ghost" data-testid="project.new" disabled={busy} onClick={() => void newProject()}>
        New
      </button>
      <details
        className="project-list"
        data-testid="project.list"
        open={open}
        onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}
      >
        <summary>Projects ({projects.length})</summary>
        <ul>
          {projects.map((p) => (
            <li key={p.id} data-testid={`project.item.${p.id}`} aria-current={p.id === currentId ? 'true' : undefined}>
              <span className="project-name">{p.name}</span> <span className="muted">{new Date(p.updatedAt).toLocaleString()}</span>{' '}
              <button type="button" className="btn btn-ghost" disabled={busy || p.id === currentId} onClick={() => void openProject(p.id)}>
                Open
              </button>
              <button
                type="button"
                className="btn btn-ghost"
                onClick={() => {
                  const next = window.prompt('New name for the project', p.name);
                  if (next && next.trim()) void renameProject(p.id, next.trim());
                }}
              >
                Rename
              </button>
              <button type="button" className="btn btn-ghost" onClick={() => void duplicateProject(p.id)}>
                Duplicate
              </button>
              <button
                type="button"
                className="btn btn-ghost danger"
                disabled={busy && p.id === currentId}
                onClick={() => {
                  if (window.confirm(`Delete the project “${p.name}” with its images and runs?`)) void deleteProject(p.id);
                }}
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
        <p className="muted" data-testid="project.storage">
          Storage used: {size(usage)} of {size(quota)}
        </p>
      </details>
    </div>
  );
}
