export { renderPlacePoster } from './place-poster.ts';
export type { PlacePosterInput } from './place-poster.ts';
