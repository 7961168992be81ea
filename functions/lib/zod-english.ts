// zod/mini ships no messages: without a locale every issue reads "Invalid input". Each zod/mini schema module
// imports this one, so its issues read as zod's own English ones (`Too small: expected number to be >=1`)
// whichever module loads first. Only `en` is bundled: esbuild drops the other locales.
import * as z from 'zod/mini';
import { en } from 'zod/locales';

z.config(en());
