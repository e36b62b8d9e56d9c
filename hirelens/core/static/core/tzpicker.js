// The searchable time-zone picker (templates/core/_tz_picker.html): a WAI-ARIA combobox over the
// server's search (GET /time-zones/?q=), registered with Alpine.data because the CSP build of
// Alpine evaluates no statements in attributes. The chosen IANA name goes in the hidden "<name>_iana" input;
// the visible box keeps the label ("北京时间 (UTC+08:00)"), which the server also accepts.
(function () {
  if (window.hirelensTzPicker) return;
  window.hirelensTzPicker = true;
  document.addEventListener("alpine:init", () => {
    window.Alpine.data("tzPicker", () => ({
      open: false, options: [], active: -1, empty: false, seq: 0,
      get activeId() { return this.active >= 0 && this.options[this.active] ? this.options[this.active].id : ""; },
      search() {
        const query = this.$refs.box.value;
        const url = this.$el.closest(".tz-picker").dataset.url + "?q=" + encodeURIComponent(
          query === this.$refs.box.defaultValue ? "" : query);
        const seq = ++this.seq;
        if (query !== this.$refs.box.defaultValue) this.$refs.value.value = "";
        fetch(url, {headers: {Accept: "application/json"}, credentials: "same-origin"})
          .then((r) => r.json()).then((data) => {
            if (seq !== this.seq) return;  // an older answer arriving late
            this.active = data.results.length ? 0 : -1;
            this.show(data.results);
          }).catch(() => { this.open = false; });
      },
      show(results) {
        const base = this.$refs.box.id;
        this.options = results.map((o, i) => ({...o, id: base + "-opt-" + i, active: i === this.active}));
        this.empty = results.length === 0;
        this.open = true;
      },
      move(step) {
        if (!this.open) { this.search(); return; }
        if (!this.options.length) return;
        this.active = (this.active + step + this.options.length) % this.options.length;
        this.show(this.options);
        const el = document.getElementById(this.activeId);
        if (el) el.scrollIntoView({block: "nearest"});
      },
      next() { this.move(1); },
      prev() { this.move(-1); },
      select(option) {
        this.$refs.box.value = option.label;
        this.$refs.value.value = option.value;
        this.$refs.box.dataset.value = option.value;
        this.open = false;
      },
      choose(event) {
        if (this.open && this.options[this.active]) {
          event.preventDefault();
          this.select(this.options[this.active]);
        }
      },
      pick(event) {
        const value = event.currentTarget.dataset.value;
        const option = this.options.find((o) => o.value === value);
        if (option) this.select(option);
      },
      close() { this.open = false; },
      blur() { setTimeout(() => { this.open = false; }, 150); },
    }));
  });
})();
