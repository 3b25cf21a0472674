import { render } from 'preact';
import { App } from './app.tsx';
import { initI18n } from './i18n/index.ts';

initI18n();
const root = document.getElementById('app');
if (root !== null) render(<App />, root);
