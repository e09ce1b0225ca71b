// The dashboard's entry point: replaced by the real application (issue 11).
const root = document.getElementById("app");
if (root) root.textContent = "drover";
