// GOV.UK Frontend's components, as progressive enhancement: every page works without this.
import { initAll } from "/govuk-frontend/govuk-frontend.min.js";

initAll();
