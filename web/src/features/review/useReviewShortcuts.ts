import { useEffect, useRef } from "react";

type Actions = { enabled: boolean; approve: () => void; reject: () => void; next: () => void; save: () => void };

/** True when a key press belongs to what the user is typing, not to the page. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/** A approve, R reject, N next document (when not typing); Ctrl/Cmd+S saves from anywhere. */
export function useReviewShortcuts(actions: Actions) {
  const latest = useRef(actions);
  latest.current = actions;

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const { enabled, approve, reject, next, save } = latest.current;
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
        event.preventDefault();
        if (enabled) save();
        return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey || event.repeat || isTyping(event.target)) return;
      const key = event.key.toLowerCase();
      if (key === "n") next();
      else if (enabled && key === "a") approve();
      else if (enabled && key === "r") reject();
      else return;
      event.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}
