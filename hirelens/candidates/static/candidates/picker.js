// A searchable application picker (ARIA 1.2 combobox with a listbox popup), used instead of a <select> that
// would list every application. Type part of a name (汉字, pinyin "zhang wei", initials "zw" or a Latin prefix
// "Zha"); up/down move, Enter picks, Escape closes. The chosen id goes into a hidden input; editing the text again
// clears it, so a form never submits a person other than the one shown. Markup: candidates/_application_picker.html.
document.addEventListener("alpine:init", () => {
  window.Alpine.data("appPicker", () => ({
    query: "", value: "", chosenLabel: "", options: [], active: -1, open: false, loading: false, searched: false,
    url: "", position: "", listId: "", seq: 0, timer: null, resultsFor: null,
    init() {
      const el = this.$el;
      this.url = el.dataset.url;
      this.position = el.dataset.position || "";
      this.listId = el.dataset.list;
      const form = el.closest("form");
      if (form && el.dataset.required !== undefined) {
        form.addEventListener("submit", (event) => {
          if (!this.value) {
            event.preventDefault();
            event.stopImmediatePropagation();
            this.$refs.input.setCustomValidity(el.dataset.missing || "");
            this.$refs.input.reportValidity();
          }
        }, true);
      }
    },
    typed() {
      this.value = "";
      this.chosenLabel = "";
      this.$refs.input.setCustomValidity("");
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.search(), 200);
    },
    async search() {
      const ticket = ++this.seq;
      const params = new URLSearchParams({q: this.query.trim()});
      if (this.position) params.set("position", this.position);
      this.loading = true;
      try {
        const response = await fetch(this.url + "?" + params.toString(), {headers: {Accept: "application/json"}, credentials: "same-origin"});
        const data = response.ok ? await response.json() : {results: []};
        if (ticket !== this.seq) return; // an older answer arriving late
        this.options = data.results || [];
        this.resultsFor = params.get("q");
        this.active = this.options.length ? 0 : -1;
        this.open = true;
        this.searched = true;
      } finally {
        if (ticket === this.seq) this.loading = false;
      }
    },
    focused() {
      if (!this.value && !this.open) this.search();
    },
    move(step) {
      if (!this.open) { this.search(); return; }
      if (!this.options.length) return;
      this.active = (this.active + step + this.options.length) % this.options.length;
      const node = document.getElementById(this.optionId(this.active));
      if (node) node.scrollIntoView({block: "nearest"});
    },
    enter(event) {
      if (this.open && this.active >= 0 && this.options[this.active]) {
        event.preventDefault();
        this.choose(this.options[this.active]);
      } else if (!this.value) {
        event.preventDefault();
      }
    },
    choose(option) {
      this.value = String(option.id);
      this.chosenLabel = option.label;
      this.query = option.label;
      this.$refs.input.setCustomValidity("");
      this.close();
    },
    clear() {
      this.value = "";
      this.chosenLabel = "";
      this.query = "";
      this.close();
      this.$refs.input.focus();
    },
    close() {
      this.open = false;
      this.active = -1;
    },
    blurred() {
      setTimeout(() => this.close(), 150);
    },
    optionId(index) {
      return this.listId + "-" + index;
    },
    activeId() {
      return this.open && this.active >= 0 ? this.optionId(this.active) : "";
    },
    isActive(index) {
      return index === this.active ? "true" : "false";
    },
    empty() {
      return this.open && this.searched && !this.loading && this.options.length === 0;
    },
  }));
});
