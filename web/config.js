// Where the API lives. The local runner serves it under /api; a deployment
// replaces this file with the HttpApi URL from the stack outputs.
window.TERMIN_API = '/api';
