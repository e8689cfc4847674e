type Props = { value: number; label: string; tone?: "blue" | "green" | "red" | "slate"; className?: string };

const tones = { blue: "bg-blue-600", green: "bg-green-600", red: "bg-red-600", slate: "bg-slate-500" };

/** A labelled progressbar: screen readers hear the label and the percentage. */
export function ProgressBar({ value, label, tone = "blue", className = "" }: Props) {
  const clamped = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <div role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={clamped}
      className={`h-2 w-full overflow-hidden rounded-full bg-slate-200 ${className}`}>
      <div className={`h-full ${tones[tone]} transition-[width] duration-300`} style={{ width: `${clamped}%` }} />
    </div>
  );
}
