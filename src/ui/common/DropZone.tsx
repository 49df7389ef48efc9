import { useState, type ReactNode } from 'react';

interface Props {
  /** Called with the drop's DataTransfer, synchronously inside the drop event (its items vanish after). */
  onDrop: (data: DataTransfer) => void;
  small?: boolean;
  testId?: string;
  children: ReactNode;
}

/** A drop target that highlights while something is dragged over it. */
export function DropZone({ onDrop, small, testId, children }: Props) {
  const [over, setOver] = useState(false);
  return (
    <div
      className={`dropzone ${small ? 'dropzone-small' : ''} ${over ? 'dropzone-over' : ''}`}
      data-testid={testId}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        onDrop(e.dataTransfer);
      }}
    >
      {children}
    </div>
  );
}
