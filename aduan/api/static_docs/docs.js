// Starts Swagger UI for the Aduan REST API (no inline script; settings come from data-*).
(function () {
  "use strict";
  var body = document.body;
  var ui = SwaggerUIBundle({
    url: body.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    // The public validator badge would call a server on the internet.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    requestInterceptor: function (request) {
      // Session callers need the CSRF token for writes; key callers ignore it.
      if (body.dataset.csrfToken) {
        request.headers["X-CSRFToken"] = body.dataset.csrfToken;
      }
      return request;
    }
  });
  window.aduanSwaggerUI = ui;
})();
