/** Tailwind settings shared by the CSS build (read from style/main.css via @config). */
module.exports = {
  content: ["./src/**/*.rs"],
  // Dark mode follows the operating system setting.
  darkMode: "media",
  theme: {
    extend: {
      fontFamily: {
        sans: ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"],
      },
    },
  },
};
