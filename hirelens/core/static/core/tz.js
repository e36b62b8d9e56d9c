// Remembers the browser's time zone in a cookie, so the next page shows times in the visitor's zone.
(function () {
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("hl_tz=" + zone) < 0) {
      document.cookie = "hl_tz=" + zone + ";path=/;max-age=31536000;SameSite=Lax";
    }
  } catch (e) { /* an old browser without Intl time zones: the server's zone is used */ }
})();
