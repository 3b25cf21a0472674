import jsqrModule from 'jsqr';
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
// Loaded with this chunk, never by the code page (web/stylesheets.ts).
import './checkpoint.css';

/** ms between decode attempts: jsQR takes 20–60 ms on a 640 px frame on a slow phone. */
const DECODE_INTERVAL_MS = 150;
/** px; frames are scaled down to this width before decoding, which is plenty for a code's modules. */
const DECODE_WIDTH = 640;
/** ms without any QR in view after which the same text counts as shown again. */
const ABSENCE_RESET_MS = 2_000;

/**
 * jsQR is CommonJS with `exports.default`: the function is the default import or its `default`,
 * depending on the bundler's interop mode, so both are accepted.
 */
const jsqrExport: unknown = jsqrModule;
const jsQR = (
  typeof jsqrExport === 'function' ? jsqrExport : jsqrModule.default
) as typeof jsqrModule.default;

type CameraState = 'starting' | 'live' | 'off' | 'unavailable' | 'denied';

/**
 * A live camera preview that reads QR codes with jsQR (rear camera preferred). Each text is
 * reported once while it stays in view: a code held in front of the camera is one reading, not
 * ten a second; shown again after leaving the view, it is reported again.
 */
export function CameraScanner(props: {
  readonly onCode: (text: string) => void;
  readonly label: string;
  /** False pauses decoding (the stream stays open, so resuming is instant). */
  readonly decoding?: boolean;
}) {
  const [state, setState] = useState<CameraState>('starting');
  const [enabled, setEnabled] = useState(true);
  const video = useRef<HTMLVideoElement>(null);
  const onCode = useRef(props.onCode);
  onCode.current = props.onCode;
  const decoding = useRef(props.decoding ?? true);
  decoding.current = props.decoding ?? true;

  useEffect(() => {
    if (!enabled) {
      setState('off');
      return;
    }
    const media = typeof navigator === 'object' ? navigator.mediaDevices : undefined;
    if (media?.getUserMedia === undefined) {
      setState('unavailable');
      return;
    }
    let live = true;
    let stream: MediaStream | null = null;
    let timer = 0;
    let lastText: string | null = null;
    let lastSeen = 0;
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d', { willReadFrequently: true });

    const decode = () => {
      const v = video.current;
      if (!live || v === null || context === null) return;
      if (decoding.current && v.readyState >= v.HAVE_CURRENT_DATA && v.videoWidth > 0) {
        const scale = Math.min(1, DECODE_WIDTH / v.videoWidth);
        canvas.width = Math.round(v.videoWidth * scale);
        canvas.height = Math.round(v.videoHeight * scale);
        context.drawImage(v, 0, 0, canvas.width, canvas.height);
        const frame = context.getImageData(0, 0, canvas.width, canvas.height);
        const found = jsQR(frame.data, frame.width, frame.height, { inversionAttempts: 'dontInvert' });
        const now = Date.now();
        if (found !== null && found.data !== '') {
          if (found.data !== lastText || now - lastSeen > ABSENCE_RESET_MS) onCode.current(found.data);
          lastText = found.data;
          lastSeen = now;
        }
      }
      timer = window.setTimeout(decode, DECODE_INTERVAL_MS);
    };

    setState('starting');
    media
      .getUserMedia({
        audio: false,
        video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
      })
      .then(async (s) => {
        stream = s;
        if (!live || video.current === null) return s.getTracks().forEach((track) => track.stop());
        video.current.srcObject = s;
        await video.current.play();
        if (!live) return;
        setState('live');
        decode();
      })
      .catch((error: unknown) => {
        if (!live) return;
        const name = error instanceof DOMException ? error.name : '';
        setState(name === 'NotAllowedError' || name === 'SecurityError' ? 'denied' : 'unavailable');
      });
    return () => {
      live = false;
      window.clearTimeout(timer);
      stream?.getTracks().forEach((track) => track.stop());
      if (video.current !== null) video.current.srcObject = null;
    };
  }, [enabled]);

  return (
    <div class="camera" data-state={state}>
      <div class="camera__frame">
        <video
          ref={video}
          class="camera__video"
          muted
          playsInline
          autoPlay
          aria-label={props.label}
          hidden={state !== 'live' && state !== 'starting'}
        />
        {state !== 'live' && (
          <p class="camera__status" role="status">
            {t(`camera.${state}`)}
          </p>
        )}
      </div>
      <button
        type="button"
        class="button button--link camera__toggle"
        aria-pressed={enabled}
        onClick={() => setEnabled(!enabled)}
      >
        {enabled ? t('camera.turnOff') : t('camera.turnOn')}
      </button>
    </div>
  );
}
