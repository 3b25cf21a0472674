import { useEffect, useState } from 'preact/hooks';

/**
 * Re-renders at every turn of the device's second, so the clock ticks. The page reads Date.now()
 * while rendering rather than the tick's time: a render caused by a fresh code must not show the
 * previous second.
 */
export function useSecondTicker(): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    let timer = 0;
    const tick = () => {
      setTick((n) => n + 1);
      timer = window.setTimeout(tick, 1000 - (Date.now() % 1000));
    };
    timer = window.setTimeout(tick, 1000 - (Date.now() % 1000));
    return () => window.clearTimeout(timer);
  }, []);
}
