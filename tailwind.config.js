/** Tailwind settings shared by the CSS build (read from style/main.css via @config). */
module.exports = {
  content: ["./src/**/*.rs"],
  // Dark mode is a custom variant in style/main.css: the "Theme" choice, or the system's when it is Auto.
  theme: {
    extend: {
      fontFamily: {
        sans: ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"],
      },
    },
  },
};
