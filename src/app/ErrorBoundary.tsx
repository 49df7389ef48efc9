import { Component, type ErrorInfo, type ReactNode } from 'react';

interface State {
  failed: boolean;
}

/** Last line of defence: a view crashed. Says so plainly and offers a reload; details go to the console. */
export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  state: State = { failed: false };

  static getDerivedStateFromError(): State {
    return { failed: true };
  }

  componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('studio view crashed', error, info.componentStack);
  }

  render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    return (
      <main className="app">
        <div role="alert" className="alert alert-error">
          <p>Part of the studio stopped working because of an unexpected problem. Your files never left this computer.</p>
          <button type="button" className="btn" onClick={() => location.reload()}>
            Reload the studio
          </button>
        </div>
      </main>
    );
  }
}
