import './ui/mutual-sheets-app.js';
