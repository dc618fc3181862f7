/** Where the built review page lives: written by build.ts, served by server/http/review-page.ts. */
import { fromRoot } from '../../core/paths';

export const reviewUiDir = (): string => fromRoot('dist', 'review-ui');
