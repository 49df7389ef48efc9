/** The project list's actions: new, open, rename, duplicate, delete (persistence.ts does the saving). */
import { applyProject, createProject, flushWrites, newId, projectDb, refreshProjects } from './persistence';
import { useStudio } from './store';

/** An image run is under way: the current project cannot be swapped out from under it. */
function busy(): boolean {
  const st = useStudio.getState().status;
  return st === 'loading' || st === 'running' || st === 'stopping';
}

export async function newProject(name = 'my-project'): Promise<void> {
  if (!projectDb() || busy()) return;
  await flushWrites();
  await createProject(name);
  await refreshProjects();
}

export async function openProject(id: string): Promise<void> {
  const db = projectDb();
  if (!db || busy()) return;
  await flushWrites();
  const p = await db.getProject(id);
  if (!p) return;
  useStudio.setState({ crashNotice: null });
  await applyProject(p);
  await refreshProjects();
}

export async function renameProject(id: string, name: string): Promise<void> {
  const db = projectDb();
  if (!db) return;
  if (id === useStudio.getState().currentId) useStudio.getState().setProjectName(name);
  await flushWrites();
  await db.renameProject(id, name);
  await refreshProjects();
}

export async function duplicateProject(id: string): Promise<void> {
  const db = projectDb();
  if (!db) return;
  await flushWrites();
  const p = await db.getProject(id);
  if (!p) return;
  await db.duplicateProject(id, newId('project'), `${p.name} (copy)`);
  await refreshProjects();
}

export async function deleteProject(id: string): Promise<void> {
  const db = projectDb();
  if (!db) return;
  await flushWrites();
  const wasCurrent = id === useStudio.getState().currentId;
  if (wasCurrent && busy()) return;
  await db.deleteProject(id);
  if (wasCurrent) {
    const rest = await db.listProjects();
    if (rest[0]) await openProject(rest[0].id);
    else await newProject();
  }
  await refreshProjects();
}
